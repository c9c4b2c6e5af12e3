// Command logistics is RocketMart's logistics service: it creates exactly one
// shipment per paid order from ORDER_PAID events, moves shipments from
// awaiting shipment through shipped to delivered, each step a tracking event
// announced transactionally (SHIPMENT_SHIPPED, SHIPMENT_DELIVERED), and ends
// a refunded order's shipment (ORDER_REFUNDED).
//
//	@title						RocketMart logistics API
//	@version					1.0
//	@description				Shipments, one per paid order, created from the ORDER_PAID event, with their tracking events; ship and deliver publish SHIPMENT_SHIPPED and SHIPMENT_DELIVERED transactionally, and a refunded order's shipment is cancelled or returned. Users see their own shipments (X-User-ID: alice, bob or carol); operators and the consistency audit see every shipment and ship or deliver them (X-Admin-Token).
//	@BasePath					/
//	@securityDefinitions.apikey	UserID
//	@in							header
//	@name						X-User-ID
//	@securityDefinitions.apikey	AdminToken
//	@in							header
//	@name						X-Admin-Token
package main

import "github.com/rocketmart/rocketmart/services/platform/program"

func main() { program.Main(serviceName, loadConfig, run) }
