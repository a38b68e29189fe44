// The object that owns the tests' precompiled header (tests/test_pch.h);
// the test binaries reuse it.
