using Gateway.Policy.Validation;

namespace Gateway.Policy;

/// <summary>
/// The loader's own checks for single values, for tools that write a policy (`gateway init`): a value they accept
/// here is one the loader accepts in the file, with the same message when it is not. Each returns null on success
/// and the canonical spelling, else why the value is invalid.
/// </summary>
public static class PolicyValues
{
    /// <summary>A fully qualified domain name (hostname, domains), as lower-case A-labels.</summary>
    public static string? TryParseDomain(string text, out string canonical)
    {
        ArgumentNullException.ThrowIfNull(text);
        return DomainNameParser.TryCanonicalize(text, requireFullyQualified: true, out canonical);
    }

    /// <summary>A trusted network: "address/prefix" or a bare address, host bits clear.</summary>
    public static string? TryParseNetwork(string text, out string canonical)
    {
        ArgumentNullException.ThrowIfNull(text);
        var problem = NetworkParser.TryParseNetwork(text, out var network);
        canonical = problem is null ? network.ToString() : string.Empty;
        return problem;
    }

    /// <summary>As <see cref="TryParseNetwork"/>, for a network trusted to relay: refused when it would make an open relay.</summary>
    public static string? TryParseRelayNetwork(string text, out string canonical)
    {
        ArgumentNullException.ThrowIfNull(text);
        var problem = NetworkParser.TryParseNetwork(text, out var network) ?? NetworkParser.OpenRelayProblem(network);
        canonical = problem is null ? network.ToString() : string.Empty;
        return problem;
    }

    /// <summary>A next hop, "host", "host:port", "[ipv6]" or "[ipv6]:port" (port 1-65535, <paramref name="defaultPort"/> when absent).</summary>
    public static string? TryParseHostPort(string text, int defaultPort, out HostEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(text);
        var problem = HostParser.TryParseHostPort(text, defaultPort, allowNames: true, out var host, out var port);
        endpoint = new HostEndpoint(host, port);
        return problem;
    }
}
