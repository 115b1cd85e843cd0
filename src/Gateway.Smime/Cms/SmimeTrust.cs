using System.Security.Cryptography.X509Certificates;

namespace Gateway.Smime.Cms;

/// <summary>
/// The trust anchors signatures must chain to (from policy). Only these roots count: the system store is never
/// consulted and nothing is downloaded (AIA fetching would let a sender make us fetch URLs).
/// </summary>
public sealed class SmimeTrust
{
    public SmimeTrust(IEnumerable<X509Certificate2> anchors)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        Anchors = [.. anchors];
    }

    public IReadOnlyList<X509Certificate2> Anchors { get; }

    /// <summary>How far a signing time may lie in the future of our clock before it is not believed.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(5);
}
