"""tools/nmap."""
