"""The input format: vocabularies, the schema of each table, validation, reading and
writing portfolios (CSV folders and workbooks), the bundled tool catalog."""
