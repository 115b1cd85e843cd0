namespace Gateway.Spam.Rules;

/// <summary>What part of a message a rule's pattern is matched against.</summary>
public enum SpamRuleTarget
{
    /// <summary>The decoded value of one named header field (every occurrence), or of every field when no name is given.</summary>
    Header,

    /// <summary>The decoded text of the text/plain and text/html parts (HTML reduced to its text).</summary>
    Body,

    /// <summary>The message as received, undecoded (the scanned prefix only).</summary>
    Raw,

    /// <summary>The host name of every link found in the text and in HTML attributes.</summary>
    UriDomain,

    /// <summary>The file name of every attachment.</summary>
    AttachmentName,
}
