module github.com/rocketmart/rocketmart/api-docs

go 1.26.8
