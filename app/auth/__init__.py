"""Users, roles, login, sessions and scopes; shops (the unit of scope)."""
