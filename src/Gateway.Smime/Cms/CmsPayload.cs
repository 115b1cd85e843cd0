using MimeKit;

namespace Gateway.Smime.Cms;

/// <summary>Reads the decoded CMS blob out of an application/pkcs7-* part, refusing more than the limit.</summary>
internal static class CmsPayload
{
    /// <summary>Null when the decoded content exceeds <paramref name="maxBytes"/>; reading stops at the limit.</summary>
    public static async Task<byte[]?> ReadAsync(MimePart part, long maxBytes, CancellationToken cancellationToken)
    {
        if (part.Content is null)
        {
            return [];
        }
        await using var decoded = part.Content.Open();
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await decoded.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
