namespace Gateway.Pipeline.Session;

/// <summary>A recipient domain's message size limit, below the global one (recipients.DOMAIN.max_message_size or learned).</summary>
internal sealed record DomainSizeLimit(string Domain, long Limit);
