package main

func main() { _ = get("X", "") }
