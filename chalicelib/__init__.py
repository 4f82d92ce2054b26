"""Report + Support: the application package (domain modules, adapters and API blueprints)."""
