enum Metaschemas {}
