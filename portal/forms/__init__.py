"""WTForms forms. Field names are part of the public contract (PORTAL.md): keep them stable."""
