"""What the tests and the benchmarks share: the book's algorithm and fresh project copies."""
