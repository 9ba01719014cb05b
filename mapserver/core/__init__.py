"""What every stage uses: settings, errors, shipped files and content hashes."""
