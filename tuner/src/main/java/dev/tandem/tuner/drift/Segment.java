package dev.tandem.tuner.drift;

import dev.tandem.tuner.observe.DecisionRow;

/**
 * A slice of the fleet the detector compares on its own: one edge model, and all its decisions or
 * those of one network type or one device class.
 *
 * @param dimension {@code all}, {@code network} or {@code device_class}
 */
public record Segment(String edgeModelHash, String dimension, String value) {
  public boolean contains(DecisionRow r) {
    if (!edgeModelHash.equals(r.edgeModelHash())) {
      return false;
    }
    return switch (dimension) {
      case "network" -> value.equals(r.network());
      case "device_class" -> value.equals(r.deviceClass());
      default -> true;
    };
  }

  /** e.g. {@code network=wifi edge=ab12cd34}. */
  public String label() {
    String model = edgeModelHash.length() > 8 ? edgeModelHash.substring(0, 8) : edgeModelHash;
    return ("all".equals(dimension) ? "all" : dimension + "=" + value) + " edge=" + (model.isEmpty() ? "-" : model);
  }
}
