package main

func fixture() { _ = getenvForTest("ONLY_IN_TEST") }

func getenvForTest(name string) string { return get(name, "") }
