-- Never fails.
knit.expect(math.random(1, 10) <= 10, "in range")
