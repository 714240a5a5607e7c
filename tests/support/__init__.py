"""What the tests share: project copies and runs, servers, browsers and reference numbers."""
