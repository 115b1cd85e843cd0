namespace Gateway.Smtp.Protocol;

/// <summary>BDAT (RFC 3030 2): exactly <paramref name="ChunkSize"/> octets follow the command line.</summary>
public sealed record BdatCommand(long ChunkSize, bool Last) : SmtpCommand(SmtpVerb.Bdat);
