using System.Text.Json.Serialization;

namespace Gateway.Transport.TlsRpt;

/// <summary>The persisted form of <see cref="TlsRptCollector"/>'s counters (tlsrpt-state.json).</summary>
internal sealed class TlsRptState
{
    public List<TlsRptStateDay> Days { get; set; } = [];
}

internal sealed class TlsRptStateDay
{
    public string Day { get; set; } = "";

    public string PolicyDomain { get; set; } = "";

    public List<TlsRptStatePolicy> Policies { get; set; } = [];
}

internal sealed class TlsRptStatePolicy
{
    public string PolicyType { get; set; } = "";

    public List<string> PolicyStrings { get; set; } = [];

    public List<string> MxHosts { get; set; } = [];

    public long Successful { get; set; }

    public long Failed { get; set; }

    public List<TlsRptStateFailure> Failures { get; set; } = [];
}

internal sealed class TlsRptStateFailure
{
    public string ResultType { get; set; } = "";

    public string? SendingMtaIp { get; set; }

    public string? ReceivingMxHostname { get; set; }

    public string? ReceivingIp { get; set; }

    public string? AdditionalInformation { get; set; }

    public long Sessions { get; set; }
}

/// <summary>Source-generated JSON for the collector state: no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TlsRptState))]
internal sealed partial class TlsRptStateJsonContext : JsonSerializerContext;
