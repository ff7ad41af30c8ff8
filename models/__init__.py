"""SQLAlchemy 2.0 async models, one module per business domain.

Each domain owns its tables and its own ``MetaData``: no foreign key and no SQL join ever
crosses a domain. Cross-domain data flows through federation (and, for facts a domain
keeps a copy of, through events).
"""
