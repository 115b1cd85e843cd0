namespace Gateway.Smtp.Protocol;

/// <summary>One RFC 5321 4.1.2 esmtp-param: esmtp-keyword ["=" esmtp-value]; Value is null without "=".</summary>
internal readonly record struct EsmtpParameter(string Keyword, string? Value);
