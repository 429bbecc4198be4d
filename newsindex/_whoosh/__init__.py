"""The only code that touches Whoosh 2.7.4's private parts, and the workarounds for its bugs."""
