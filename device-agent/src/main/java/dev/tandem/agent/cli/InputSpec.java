package dev.tandem.agent.cli;

import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.Inputs;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code --input} of {@code infer}: {@code name:type[d0,d1,...]=v0,v1,...}, for example
 * {@code input_ids:int64[1,4]=101,7592,2088,102}. Values are in row-major order; {@code []} is a
 * scalar.
 */
final class InputSpec {
  private static final Pattern FORM = Pattern.compile("([^:=\\[\\]]+):([a-z0-9]+)\\[([-0-9, ]*)\\]=(.*)", Pattern.DOTALL);

  private InputSpec() {}

  /**
   * Adds the input described by {@code spec} to {@code inputs}.
   *
   * @throws IllegalArgumentException with a message naming the input and what is wrong
   */
  static void addTo(Inputs.Builder inputs, String spec) {
    Matcher m = FORM.matcher(spec);
    if (!m.matches()) {
      throw new IllegalArgumentException("--input '" + spec + "': expected name:type[dims]=values, e.g. ids:int64[1,4]=1,2,3,4");
    }
    String name = m.group(1).trim();
    ElementType type;
    try {
      type = ElementType.fromWireName(m.group(2));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--input '" + name + "': " + e.getMessage(), e);
    }
    long[] shape = parseShape(name, m.group(3));
    String[] values = m.group(4).trim().isEmpty() ? new String[0] : m.group(4).split(",");
    try {
      switch (type) {
        case FLOAT32: {
          float[] v = new float[values.length];
          for (int i = 0; i < v.length; i++) {
            v[i] = Float.parseFloat(values[i].trim());
          }
          inputs.addFloat32(name, v, shape);
          break;
        }
        case INT64: {
          long[] v = new long[values.length];
          for (int i = 0; i < v.length; i++) {
            v[i] = Long.parseLong(values[i].trim());
          }
          inputs.addInt64(name, v, shape);
          break;
        }
        case INT32: {
          int[] v = new int[values.length];
          for (int i = 0; i < v.length; i++) {
            v[i] = Integer.parseInt(values[i].trim());
          }
          inputs.addInt32(name, v, shape);
          break;
        }
        case UINT8:
        case INT8: {
          byte[] v = new byte[values.length];
          int min = type == ElementType.UINT8 ? 0 : -128;
          int max = type == ElementType.UINT8 ? 255 : 127;
          for (int i = 0; i < v.length; i++) {
            int x = Integer.parseInt(values[i].trim());
            if (x < min || x > max) {
              throw new IllegalArgumentException("--input '" + name + "': value " + x + " is outside " + type
                  + " [" + min + ", " + max + "]");
            }
            v[i] = (byte) x;
          }
          if (type == ElementType.UINT8) {
            inputs.addUint8(name, v, shape);
          } else {
            inputs.addInt8(name, v, shape);
          }
          break;
        }
        default:
          throw new IllegalArgumentException("--input '" + name + "': unsupported type " + type);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--input '" + name + "': " + e.getMessage() + " is not a " + type + " value", e);
    }
  }

  private static long[] parseShape(String name, String dims) {
    List<Long> shape = new ArrayList<>();
    if (!dims.trim().isEmpty()) {
      for (String d : dims.split(",")) {
        long v;
        try {
          v = Long.parseLong(d.trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--input '" + name + "': dimension '" + d.trim() + "' is not a number", e);
        }
        if (v < 0) {
          throw new IllegalArgumentException("--input '" + name + "': dimension " + v + " is negative");
        }
        shape.add(v);
      }
    }
    long[] s = new long[shape.size()];
    for (int i = 0; i < s.length; i++) {
      s[i] = shape.get(i);
    }
    return s;
  }
}
