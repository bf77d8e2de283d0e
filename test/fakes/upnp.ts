/**
 * A UPnP Internet Gateway Device on loopback: the device description at
 * /igd.xml (an InternetGatewayDevice with a WANIPConnection:1 service under
 * nested devices, as routers publish it) and SOAP answers at /ctl/IPConn for
 * GetExternalIPAddress and GetSpecificPortMappingEntry. Counts requests.
 */
import { send, startFake, type FakeServer } from './server.js';

export interface IgdFake extends FakeServer {
  /** The description URL, what SSDP would have named. */
  location: string;
  /** What GetExternalIPAddress answers; undefined: UPnP error 501 (the router refuses). */
  external: string | undefined;
  /** Port mappings by `TCP 443`. */
  mappings: Map<string, { client: string; port: number; description: string }>;
}

const description = (serviceType: string): string => `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>
  <device>
    <deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
    <friendlyName>FRITZ!Box 7590</friendlyName>
    <serviceList><service><serviceType>urn:schemas-any-com:service:Any:1</serviceType><controlURL>/ctl/Any</controlURL></service></serviceList>
    <deviceList><device>
      <deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
      <deviceList><device>
        <deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
        <serviceList><service>
          <serviceType>${serviceType}</serviceType>
          <serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
          <controlURL>/ctl/IPConn</controlURL>
          <eventSubURL>/evt/IPConn</eventSubURL>
          <SCPDURL>/WANIPCn.xml</SCPDURL>
        </service></serviceList>
      </device></deviceList>
    </device></deviceList>
  </device>
</root>`;

const envelope = (body: string): string =>
  `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>${body}</s:Body></s:Envelope>`;

const fault = (code: number, text: string): string =>
  envelope(
    `<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode><errorDescription>${text}</errorDescription></UPnPError></detail></s:Fault>`,
  );

export async function startIgd(external: string | undefined, serviceType = 'urn:schemas-upnp-org:service:WANIPConnection:1'): Promise<IgdFake> {
  const igd = { external, mappings: new Map() } as IgdFake;
  const fake = await startFake((req, res) => {
    if (req.method === 'GET' && req.url.pathname === '/igd.xml') return send(res, 200, description(serviceType), { 'content-type': 'text/xml' });
    if (req.method !== 'POST' || req.url.pathname !== '/ctl/IPConn') return send(res, 404, 'not found');
    const action = /#(\w+)"?$/.exec(String(req.headers.soapaction ?? ''))?.[1];
    const u = `xmlns:u="${serviceType}"`;
    if (action === 'GetExternalIPAddress' && req.body.includes('<u:GetExternalIPAddress')) {
      if (igd.external === undefined) return send(res, 500, fault(501, 'Action Failed'), { 'content-type': 'text/xml' });
      return send(res, 200, envelope(`<u:GetExternalIPAddressResponse ${u}><NewExternalIPAddress>${igd.external}</NewExternalIPAddress></u:GetExternalIPAddressResponse>`));
    }
    if (action === 'GetSpecificPortMappingEntry') {
      const port = /<NewExternalPort>(\d+)</.exec(req.body)?.[1];
      const protocol = /<NewProtocol>(\w+)</.exec(req.body)?.[1];
      const m = igd.mappings.get(`${protocol} ${port}`);
      if (!m) return send(res, 500, fault(714, 'NoSuchEntryInArray'), { 'content-type': 'text/xml' });
      return send(
        res,
        200,
        envelope(
          `<u:GetSpecificPortMappingEntryResponse ${u}><NewInternalPort>${m.port}</NewInternalPort><NewInternalClient>${m.client}</NewInternalClient><NewEnabled>1</NewEnabled><NewPortMappingDescription>${m.description}</NewPortMappingDescription><NewLeaseDuration>0</NewLeaseDuration></u:GetSpecificPortMappingEntryResponse>`,
        ),
      );
    }
    return send(res, 500, fault(401, 'Invalid Action'), { 'content-type': 'text/xml' });
  });
  return Object.assign(igd, fake, { location: `${fake.url}/igd.xml` });
}
