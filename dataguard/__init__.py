"""dataguard: a data-protection compliance scanner for file shares and databases."""
__version__ = "0.1.0"
