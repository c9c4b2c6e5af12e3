// Command order runs RocketMart's order service: checkout, the order state
// machine, and the transactional ORDER_PAID / ORDER_CANCELLED messages.
//
//	@title						RocketMart order API
//	@version					1.0
//	@description				Orders, checkout with an Idempotency-Key, and payment through a RocketMQ transactional message (SPEC §2.2–§2.5).
//	@BasePath					/
//	@securityDefinitions.apikey	UserID
//	@in							header
//	@name						X-User-ID
//	@description				a demo user id: alice, bob or carol
//	@securityDefinitions.apikey	AdminToken
//	@in							header
//	@name						X-Admin-Token
package main

import "github.com/rocketmart/rocketmart/services/platform/program"

func main() { program.Main(serviceName, loadConfig, run) }
