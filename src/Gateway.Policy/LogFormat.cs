namespace Gateway.Policy;

/// <summary>Console log format (logging.format).</summary>
public enum LogFormat
{
    Json,
    Text,
}
