package dev.tandem.demo;

import dev.tandem.runtime.cost.Prices;

/**
 * Example prices, so the demo's cost figures are not zero: USD 0.40 per 1,000 cloud requests,
 * USD 2 per GB on metered mobile networks (4g, 3g), nothing on wifi, and device energy at
 * USD 0.30 per kWh (each device's power draw comes from its profile). Examples to replace with
 * your own (docs/demo.md), not measurements.
 */
final class ExamplePrices {
  static final String JSON = "{\"edge_usd_per_kwh\": 0.30, \"network_usd_per_gb\": {\"wifi\": 0, \"4g\": 2.0,"
      + " \"3g\": 2.0}, \"cloud\": {\"usd_per_1000_requests\": 0.40}}";

  private ExamplePrices() {}

  static Prices prices() {
    return Prices.fromJson(JSON);
  }
}
