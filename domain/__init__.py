"""Pure domain: entities, rules and use-case services. No frameworks, no drivers."""
