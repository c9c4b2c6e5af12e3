// Command order runs RocketMart's order service: checkout, the order state
// machine, the transactional ORDER_PAID / ORDER_CANCELLED / ORDER_REFUNDED
// messages, and the consumers of logistics' shipment events.
//
//	@title						RocketMart order API
//	@version					1.0
//	@description				Orders, checkout with an Idempotency-Key, payment through a RocketMQ transactional message (SPEC §2.2–§2.5), and after payment: delivery completing the order, refunds and returns through ORDER_REFUNDED (§2.6).
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
