package dev.tandem.agent.run;

import com.google.gson.JsonObject;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.policy.Policy;
import java.util.List;

/** The agent's view of the runtime: one decision per call, and a policy to swap in. */
interface Engine extends AutoCloseable {
  /** SHA-256 (hex) of the edge model. */
  String edgeModelHash();

  /**
   * Decides and answers one input; returns the answer's fields: {@code decision_id},
   * {@code route}, {@code reason}, {@code prediction}, {@code probabilities}, {@code latency_ms},
   * {@code policy_version}. Its record is in the spool when this returns.
   */
  JsonObject infer(List<Tensor> inputs);

  /**
   * As {@link #infer(List)}, for a text model: the runtime tokenizes the text.
   *
   * @throws IllegalStateException if the model was configured without a tokenizer
   */
  JsonObject infer(String text);

  /**
   * Replaces the routing policy if the runtime accepts it (newer, this edge model, canary);
   * the next decision uses it.
   *
   * @return empty when applied, else the runtime's reason ({@code older_version: ...})
   */
  java.util.Optional<String> policy(Policy policy);

  /** Records that the policy in force at start is applied (a {@code policy_event} record). */
  void recordPolicyInForce();

  /** Records a policy the agent rejected itself (a rejected {@code policy_event}); see PolicyGate.Rejections. */
  void policyRejected(long version, String policyHash, String why);

  @Override
  void close();
}
