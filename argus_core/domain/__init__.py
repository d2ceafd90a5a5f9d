"""Domain values: frozen msgspec Structs and enums, with no behaviour that needs I/O."""
