namespace Gateway.Smime.Audit;

/// <summary>The log cannot be appended to safely (its last line is torn or does not parse): run Verify and repair by hand.</summary>
public sealed class AuditLogException : Exception
{
    public AuditLogException(string message)
        : base(message)
    {
    }

    public AuditLogException()
    {
    }

    public AuditLogException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
