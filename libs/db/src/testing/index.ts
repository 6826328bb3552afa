export { emptyDocuments, startTestDatabase, type TestDatabase, type TestDatabaseOptions } from './test-database.js';
export { documentFixture, type DocumentFixtureOverrides } from './fixtures.js';
export { startSecretsManagerStandIn, type SecretsManagerStandIn, type StandInSecret } from './secrets-manager.js';
