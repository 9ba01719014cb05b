"""What is kept: data versions on disk, and the indicators added to the store."""
