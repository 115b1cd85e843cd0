namespace Gateway.Testing;

/// <summary>
/// The .NET runtime settings the shipped systemd unit gives the gateway (the <c>Environment=DOTNET_…</c> lines of
/// appliance/gateway.service), so that tests and benches run it with the threading and GC settings it ships with.
/// </summary>
public static class UnitEnvironment
{
    public static IReadOnlyDictionary<string, string> Read(string repositoryRoot)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var unit = System.IO.Path.Combine(repositoryRoot, "appliance", "gateway.service");
        if (!File.Exists(unit))
        {
            return settings;
        }

        const string prefix = "Environment=DOTNET_";
        foreach (var line in File.ReadLines(unit))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal) && line.IndexOf('=', prefix.Length) is var equals and > 0)
            {
                settings[line["Environment=".Length..equals]] = line[(equals + 1)..];
            }
        }

        return settings;
    }
}
