using Microsoft.Extensions.Logging;

namespace Gateway.Policy;

/// <summary>Logging (logging:).</summary>
public sealed record LoggingPolicy
{
    public LogFormat Format { get; init; } = LogFormat.Json;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;
}
