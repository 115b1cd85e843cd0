namespace Gateway.Pipeline.Steps.Spam;

/// <summary>
/// Counts what the attachment policy and the external scanners find and how often a scanner fails; the host gives
/// its Prometheus metrics, tests and commands nothing (<see cref="None"/>).
/// </summary>
public interface IScannerMetrics
{
    static IScannerMetrics None { get; } = new NoMetrics();

    /// <summary>A finding: scanner "attachments" (blocked, bomb, encrypted, unchecked) or "clamav" (virus).</summary>
    void Detected(string scanner, string finding);

    /// <summary>A scanner was down, timed out or answered nonsense; <paramref name="action"/> is tempfail or accept.</summary>
    void Failed(string scanner, string action);

    /// <summary>A message was not sent to a scanner (too large).</summary>
    void Skipped(string scanner, string reason);

    private sealed class NoMetrics : IScannerMetrics
    {
        public void Detected(string scanner, string finding)
        {
        }

        public void Failed(string scanner, string action)
        {
        }

        public void Skipped(string scanner, string reason)
        {
        }
    }
}
