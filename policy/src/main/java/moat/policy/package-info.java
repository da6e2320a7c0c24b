/**
 * The policy SPI and pipeline: a {@link moat.policy.Check} has one method per SMTP stage
 * (connect, HELO, MAIL, RCPT, DATA), each returning a sealed {@link moat.policy.Verdict}
 * (no opinion, accept, reject, defer, score); a per-connection {@link moat.policy.CheckState}
 * carries what the checks know; a per-check {@link moat.policy.FailAction} (reject, defer, score,
 * off) from the configuration decides what a finding does; {@link moat.policy.Policy} runs them
 * in order. Maddy's check module and Postfix's smtpd_check.c are the models.
 *
 * <p>Sub-packages hold the perimeter checks: {@code lists} (allow/deny), {@code rdns} (RFC 8601
 * iprev), {@code helo}, {@code dnsbl} (RFC 5782) and {@code greylist}. SPF (RFC 7208), DKIM and
 * DMARC checks come from {@code moat.auth} and plug in as further checks.
 *
 * <p>Security: a DNS failure is never a reason to refuse (only, where a check cannot work
 * without it, to defer); refusals happen in the dialogue, never after "250" (no backscatter);
 * allow-listing skips reputation checks but never relay control or deny lists. A reputation
 * refusal found before RCPT may be held until RCPT ({@link moat.policy.Policy.ReputationRefusals})
 * so that a recipient's own allow entry can excuse it for that recipient only (ADR 0010).
 *
 * <p>LIMITATION: the DATA stage is declared but not yet called by the server; scores are summed
 * per connection plus transaction, with one threshold ({@code policy.reject_score}).
 */
package moat.policy;
