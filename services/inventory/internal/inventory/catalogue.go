package inventory

// Catalogue is the demo shop's product range, created at start-up where it
// is missing. RM-LAMP-ROCKET starts with 5 units so an oversell race is easy
// to show; the rest start with enough for a long demo.
func Catalogue() []SeedProduct {
	return []SeedProduct{
		{Product{SKU: "RM-BACKPACK-28", Name: "Trailhead 28L Daypack",
			Description: "Water-resistant daypack with a padded laptop sleeve, side bottle pockets and a hip belt that stows away.",
			PriceCents:  6499}, 60},
		{Product{SKU: "RM-BOTTLE-750", Name: "Insulated Steel Bottle 750 ml",
			Description: "Double-wall stainless steel bottle that keeps drinks cold for 24 hours or hot for 12. Leak-proof lid.",
			PriceCents:  2499}, 150},
		{Product{SKU: "RM-MUG-STONE", Name: "Stoneware Coffee Mug",
			Description: "Hand-glazed 350 ml stoneware mug with a wide handle. Dishwasher and microwave safe.",
			PriceCents:  1499}, 200},
		{Product{SKU: "RM-KETTLE-GOOSE", Name: "Gooseneck Pour-Over Kettle",
			Description: "1 litre kettle with a slim spout for a slow, even pour and a built-in thermometer in the lid.",
			PriceCents:  4999}, 40},
		{Product{SKU: "RM-LAMP-DESK", Name: "Folding LED Desk Lamp",
			Description: "Dimmable desk lamp with three colour temperatures, a USB-C charging port and a hinge that folds flat.",
			PriceCents:  3999}, 75},
		{Product{SKU: "RM-HEADPHONES", Name: "Over-Ear Wireless Headphones",
			Description: "Closed-back headphones with active noise cancelling, 30 hours of battery and soft memory-foam cushions.",
			PriceCents:  12999}, 30},
		{Product{SKU: "RM-NOTEBOOK-A5", Name: "Dot-Grid Notebook A5",
			Description: "192 numbered pages of 100 g/m2 dot-grid paper, lay-flat binding and a ribbon bookmark.",
			PriceCents:  1299}, 180},
		{Product{SKU: "RM-PLANTER-HERB", Name: "Self-Watering Herb Planter",
			Description: "Three-pot windowsill planter with a water reservoir that keeps basil, mint and parsley happy for a week.",
			PriceCents:  2999}, 50},
		{Product{SKU: "RM-SOCKS-MERINO", Name: "Merino Hiking Socks (2 pairs)",
			Description: "Cushioned merino wool socks that stay warm when wet and do not itch. Sizes 39 to 46.",
			PriceCents:  1999}, 120},
		{Product{SKU: "RM-TENT-2P", Name: "Ultralight 2-Person Tent",
			Description: "Freestanding three-season tent at 1.6 kg with two doors, two vestibules and aluminium poles.",
			PriceCents:  24999}, 20},
		{Product{SKU: "RM-KNIFE-CHEF", Name: "Chef's Knife 20 cm",
			Description: "Forged high-carbon steel chef's knife with a full tang and a walnut handle. Comes sharp.",
			PriceCents:  8999}, 35},
		{Product{SKU: "RM-LAMP-ROCKET", Name: "Limited Edition Rocket Lamp",
			Description: "Numbered run of a brass-and-glass rocket that glows warm amber. Only a handful were made.",
			PriceCents:  15999}, 5},
	}
}
