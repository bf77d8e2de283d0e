/** The copy-me adapter (providers/_example/) passes the conformance suite, as a real provider must. */
import { describe } from 'vitest';
import example from '../../providers/_example/index.js';
import { PROVIDERS } from '../helpers/providers.js';
import { exampleConformance } from '../fakes/example.js';
import { conformanceSuite } from '../helpers/conformance-suite.js';

describe('the example adapter', () => {
  conformanceSuite('example', exampleConformance.example, [...PROVIDERS, example]);
});
