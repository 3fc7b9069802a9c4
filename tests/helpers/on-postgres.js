// The jest project `postgres` runs every test app on PostgreSQL (see test-database.ts).
process.env.MARGINALIA_TEST_ENGINE = 'postgres';
