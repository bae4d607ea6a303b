"""The demo: the example pact signed and in force, its people, and generated leads in every stage."""
