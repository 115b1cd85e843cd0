using System.Buffers;
using System.Globalization;
using MimeKit;
using MimeKit.Encodings;
using MimeKit.Utils;

namespace Gateway.Spam.Attachments;

/// <summary>
/// Finds every file in a message and its real type: the MIME structure is read as a stream (MimeKit's
/// <see cref="MimeReader"/>, no tree is built), each leaf part is decoded as it passes, only its first octets are
/// kept for the type, and only a zip is buffered whole (in memory, or a temporary file past
/// <see cref="AttachmentLimits.MemoryBuffer"/>, never more than <see cref="AttachmentLimits.MaxExpanded"/>) to be looked
/// into. Broken transfer encodings decode to what they decode to: a verdict is always reached.
/// </summary>
public static class AttachmentScanner
{
    public static async Task<AttachmentScan> ScanAsync(Stream message, AttachmentLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(limits);
        var scan = new AttachmentScan();
        using var reader = new PartReader(message, limits, scan, cancellationToken);
        try
        {
            await reader.ReadMessageAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException)
        {
            // Not even a header section: there is no MIME structure, so no attachment either.
        }

        NameCompressedFiles(scan);
        return scan;
    }

    /// <summary>
    /// A file compressed alone with bzip2, xz, Zstandard or Unix compress (which no decoder in .NET reads) unpacks
    /// under its name without that extension, as Windows 11's Explorer and 7-Zip save it: "invoice.exe.xz" is taken
    /// at its inner name's word, like a member whose content cannot be read. Found wherever the compressed file is (a part, an
    /// archive member, a listed name).
    /// </summary>
    private static void NameCompressedFiles(AttachmentScan scan)
    {
        // A file compressed again is unpacked again ("run.exe.xz.bz2" holds "run.exe.xz", which holds "run.exe"), to
        // at most MaxCompressedLayers layers: each layer's path holds the one before, so more would cost the square
        // of a long name. Whatever the first octets say (a Zstandard file may open with skippable frames of any
        // content, "%PDF-" among them), the decoder goes by the name.
        var count = scan.Files.Count;
        for (var i = 0; i < count; i++)
        {
            var file = scan.Files[i];
            var (name, path, depth) = (file.Name, file.Path, file.Depth);
            for (var layer = 0; name is not null; layer++)
            {
                // ".z" is unix compress's, or a gzip's, which the gzip reader has looked into by content already.
                var extension = FileSignatures.Extension(name);
                if (!(IsCompressorExtension(extension) || (extension is ".z" && !(layer == 0 && file.Type == FileType.Gzip)))
                    || name.TrimEnd('.', ' ', '\t') is not { Length: > 0 } trimmed)
                {
                    break;
                }

                if (layer == MaxCompressedLayers)
                {
                    scan.Issues.Add(new ScanIssue(ScanIssueKind.TooDeep, path, string.Create(CultureInfo.InvariantCulture, $"compressed more than {MaxCompressedLayers} times")));
                    break;
                }

                var inner = trimmed[..^extension!.Length];
                inner = inner[(Math.Max(inner.LastIndexOf('/'), inner.LastIndexOf('\\')) + 1)..];
                (name, path, depth) = (inner, path + "/" + inner, depth + 1);
                if (FileSignatures.ByName(inner) is { } type)
                {
                    scan.Files.Add(new ScannedFile(path, inner, type, file.Encrypted, depth));
                }
            }
        }
    }

    /// <summary>Compressor layers taken off one file's name.</summary>
    private const int MaxCompressedLayers = 3;

    private static bool IsCompressorExtension(string? extension) => extension is ".bz2" or ".bz" or ".xz" or ".lzma" or ".zst";

    /// <summary>Attached messages sent encoded, one inside another, that are decoded and read; deeper is not checked.</summary>
    private const int MaxEncodedMessages = 3;

    private sealed class PartReader(Stream stream, AttachmentLimits limits, AttachmentScan scan, CancellationToken cancellationToken, int encodedLevel = 0)
        : MimeReader(new ParserOptions { MaxMimeDepth = limits.MaxMimeDepth }, stream, MimeFormat.Default), IDisposable
    {
        private readonly ArchiveInspector _archives = new(limits, scan, cancellationToken);
        private readonly byte[] _head = new byte[FileSignatures.HeadLength];
        private string? _disposition;
        private string? _transferEncoding;
        private string? _ambiguous;
        private Part? _part;

        public void Dispose() => _part?.Dispose();

        protected override void OnHeadersBegin(long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
        {
            _disposition = null;
            _transferEncoding = null;
            _ambiguous = null;
        }

        protected override void OnHeaderRead(Header header, int beginLineNumber, CancellationToken cancellationToken)
        {
            // The first field counts, as for MimeKit's own parts; a second that says otherwise is one a mail program
            // may follow instead, so the part cannot be said to be checked.
            switch (header.Id)
            {
                case HeaderId.ContentDisposition:
                    _ambiguous ??= _disposition is not null && !SameValue(_disposition, header.Value) ? "Content-Disposition" : null;
                    _disposition ??= header.Value;
                    break;
                case HeaderId.ContentTransferEncoding:
                    _ambiguous ??= _transferEncoding is not null && !SameValue(_transferEncoding, header.Value) ? "Content-Transfer-Encoding" : null;
                    _transferEncoding ??= header.Value;
                    break;
            }
        }

        protected override void OnMessagePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken) =>
            CheckAmbiguous("attached message");

        protected override void OnMultipartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken) =>
            CheckAmbiguous("multipart");

        private void CheckAmbiguous(string path)
        {
            if (_ambiguous is { } field)
            {
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Structure, path, $"two different {field} fields"));
                _ambiguous = null;
            }
        }

        private static bool SameValue(string first, string second) =>
            first.AsSpan().Trim().Equals(second.AsSpan().Trim(), StringComparison.OrdinalIgnoreCase);

        protected override void OnMimePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken)
        {
            _part?.Dispose();
            _part = null;
            scan.Parts++;
            if (scan.Parts > limits.MaxParts)
            {
                if (scan.Parts == limits.MaxParts + 1)
                {
                    scan.Issues.Add(new ScanIssue(ScanIssueKind.TooManyParts, "message", string.Create(CultureInfo.InvariantCulture, $"more than {limits.MaxParts} MIME parts")));
                }

                return;
            }

            var partPath = string.Create(CultureInfo.InvariantCulture, $"part {scan.Parts}");
            var encodedMessage = false;
            CheckAmbiguous(partPath);
            if (contentType.IsMimeType("multipart", "*"))
            {
                // MimeKit reads a multipart below MaxMimeDepth as one opaque part: whatever is inside is not seen.
                scan.Issues.Add(new ScanIssue(ScanIssueKind.Structure, partPath, string.Create(CultureInfo.InvariantCulture, $"MIME nesting deeper than {limits.MaxMimeDepth} levels")));
            }
            else if (contentType.IsMimeType("message", "rfc822") || contentType.IsMimeType("message", "global"))
            {
                // An attached message is parsed only when sent as is (RFC 2046 5.2.1 allows no other encoding); some
                // mail programs send it in base64 anyway. Such a one is decoded and read like the message itself, so
                // its attachments are checked; one nested too deep, or encoded inside too many others, is one opaque
                // part whose attachments would go unseen.
                if (Decoder(_transferEncoding) is not null && encodedLevel < MaxEncodedMessages)
                {
                    encodedMessage = true;
                }
                else
                {
                    scan.Issues.Add(new ScanIssue(ScanIssueKind.Structure, partPath, "an attached message that is not read as one (nested too deep, or encoded inside too many others)"));
                }
            }

            string? name = null;
            if (_disposition is not null && ContentDisposition.TryParse(_disposition, out var disposition))
            {
                name = disposition.FileName;
            }

            // Mail programs differ on which name they save a part under when the Content-Disposition filename and the
            // Content-Type name disagree ("notes.txt" and "run.js"): both are checked.
            var other = name is { Length: > 0 } && contentType.Name is { Length: > 0 } typeName && !string.Equals(typeName, name, StringComparison.Ordinal)
                ? FileNames.Saved(typeName)
                : null;
            name ??= contentType.Name;
            _part = new Part(name is { Length: > 0 } ? FileNames.Saved(name) : null, Decoder(_transferEncoding), scan.Parts) { OtherName = other, EncodedMessage = encodedMessage };
        }

        protected override void OnMimePartContentRead(byte[] content, int startIndex, int count, CancellationToken cancellationToken)
        {
            if (_part is not { Done: false } part)
            {
                return;
            }

            if (part.Decoder is null)
            {
                Feed(part, content.AsSpan(startIndex, count));
                return;
            }

            var output = ArrayPool<byte>.Shared.Rent(part.Decoder.EstimateOutputLength(count));
            try
            {
                var decoded = part.Decoder.Decode(content, startIndex, count, output);
                Feed(part, output.AsSpan(0, decoded));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(output);
            }
        }

        protected override void OnMimePartEnd(ContentType contentType, long beginOffset, int beginLineNumber, long headersEndOffset, long endOffset, int lines, CancellationToken cancellationToken)
        {
            if (_part is not { } part)
            {
                return;
            }

            _part = null;
            using (part)
            {
                if (!part.Decided)
                {
                    Decide(part);
                }

                var path = part.Name ?? string.Create(CultureInfo.InvariantCulture, $"part {part.Index}");
                var type = part.Type;
                if (part.EncodedMessage && part.Archive is { } message && !part.ArchiveTooLarge)
                {
                    // Its files count as the message's own, under the same part and size budgets.
                    using var content = message.OpenRead();
                    using var inner = new PartReader(content, limits, scan, cancellationToken, encodedLevel + 1);
                    try
                    {
                        inner.ReadMessage(cancellationToken);
                    }
                    catch (FormatException)
                    {
                        // Not even a header section: nothing in it is a file.
                    }

                    type = null;
                }
                else if (part.Archive is { } archive)
                {
                    if (part.ArchiveTooLarge)
                    {
                        scan.Issues.Add(new ScanIssue(ScanIssueKind.Bomb, path, string.Create(CultureInfo.InvariantCulture, $"archive larger than {limits.MaxExpanded} octets")));
                    }
                    else
                    {
                        using var content = archive.OpenRead();

                        // Windows mounts a disk image by its name, whatever its first octets say (an ISO 9660 image
                        // leaves its first 32 KiB free for anything, a PDF header or a zip).
                        var diskImage = part.NamedAs(ArchiveInspector.IsDiskImageName);
                        var image = diskImage ? _archives.InspectIso(content, path, 1) : null;
                        content.Position = 0;
                        type = image ?? (part.IsTar ? _archives.InspectTar(content, path)
                            : type == FileType.Gzip ? _archives.InspectGzip(content, path, 1, archive.Length)
                            : type == FileType.Ole ? _archives.InspectOle(content, path)
                            : type == FileType.OneNote ? _archives.InspectOneNote(content, path, 1)
                            : type == FileType.Cab ? _archives.InspectCab(content, path, 1)
                            : type == FileType.SevenZip ? _archives.InspectSevenZip(content, path, 1)
                            : type == FileType.Rar || (type is null && part.NamedAs(n => FileSignatures.Extension(n) is ".rar")) ? _archives.InspectRar(content, path, 1)
                            : type == FileType.Zip || (type is null && part.NamedAs(n => FileSignatures.Extension(n) is ".zip")) ? _archives.InspectZip(content, path, 1)
                            : type);
                        if (diskImage && type is null)
                        {
                            scan.Issues.Add(new ScanIssue(ScanIssueKind.Unreadable, path, "disk image without an ISO 9660 file system"));
                        }
                    }
                }

                // Unnamed parts of no known type are the message's text: nothing to report.
                if (part.Name is not null || type is not null)
                {
                    scan.Files.Add(new ScannedFile(path, part.Name, type, Encrypted: false, Depth: 0));
                }

                if (part.OtherName is { } other)
                {
                    scan.Files.Add(new ScannedFile(other, other, FileSignatures.Detect(_head.AsSpan(0, part.HeadLength), other), Encrypted: false, Depth: 0));
                }
            }
        }

        /// <summary>Decoded octets of the current part: the head until it is full, then only an archive's content.</summary>
        private void Feed(Part part, ReadOnlySpan<byte> data)
        {
            if (!part.Decided)
            {
                var take = Math.Min(data.Length, _head.Length - part.HeadLength);
                data[..take].CopyTo(_head.AsSpan(part.HeadLength));
                part.HeadLength += take;
                data = data[take..];
                if (part.HeadLength < _head.Length)
                {
                    return;
                }

                Decide(part);
            }

            if (part.Markup is { } markup)
            {
                // A web page is read to its end for script, nothing of it kept but the overlap.
                markup.Feed(data);
                if (markup.Found)
                {
                    part.Type = FileType.HtmlScript;
                    part.Markup = null;
                    part.Done = true;
                }

                return;
            }

            if (part.Archive is not { } archive || data.IsEmpty)
            {
                return;
            }

            if (archive.Length + data.Length > limits.MaxExpanded)
            {
                part.ArchiveTooLarge = true;
                part.Done = true;
                return;
            }

            archive.Write(data);
        }

        /// <summary>The head is full (or the part ended): its type, and whether the rest must be kept.</summary>
        private void Decide(Part part)
        {
            part.Decided = true;
            var head = _head.AsSpan(0, part.HeadLength);
            part.Type = FileSignatures.Detect(head, part.Name);
            // A plain tar has its magic at offset 257, not at the start; a zip named so but starting with something
            // else (a self-extractor's stub, text) is found from its end, as unzip and mail programs find it.
            part.IsTar = part.Type is null && ArchiveInspector.IsTar(head);
            if (part.Type == FileType.Zip || part.Type == FileType.Gzip || ArchiveInspector.IsOpenedWhole(part.Type) || part.IsTar
                || part.NamedAs(ArchiveInspector.IsDiskImageName) || part.EncodedMessage
                || (part.Type is null && part.NamedAs(n => FileSignatures.Extension(n) is ".rar" or ".zip")))
            {
                part.Archive = new SpillBuffer(limits.MemoryBuffer);
                part.Archive.Write(_head.AsSpan(0, part.HeadLength));
            }
            else if (part.Type == FileType.Html)
            {
                // The head showed no script; the rest may.
                part.Markup = new MarkupScript();
                part.Markup.Feed(head);
            }
            else
            {
                // Nothing more of this part is needed: the rest is not even decoded.
                part.Done = true;
            }
        }

        // Read as MimeKit reads it, comments and all ("base64 (binary)" is base64).
        private static IMimeDecoder? Decoder(string? transferEncoding) =>
            !MimeUtils.TryParse(transferEncoding, out ContentEncoding encoding) ? null : encoding switch
            {
                ContentEncoding.Base64 => new Base64Decoder(),
                ContentEncoding.QuotedPrintable => new QuotedPrintableDecoder(),
                ContentEncoding.UUEncode => new UUDecoder(),
                _ => null,
            };
    }

    /// <summary>The leaf part being read.</summary>
    private sealed class Part(string? name, IMimeDecoder? decoder, int index) : IDisposable
    {
        public string? Name { get; } = name;

        public IMimeDecoder? Decoder { get; } = decoder;

        public int Index { get; } = index;

        public int HeadLength { get; set; }

        public bool Decided { get; set; }

        /// <summary>Nothing more of the content is needed.</summary>
        public bool Done { get; set; }

        public FileType? Type { get; set; }

        /// <summary>A zip's decoded content, kept to be looked into at the part's end.</summary>
        public SpillBuffer? Archive { get; set; }

        public bool ArchiveTooLarge { get; set; }

        /// <summary>The Content-Type name when the Content-Disposition filename says something else.</summary>
        public string? OtherName { get; init; }

        /// <summary>Whether either of its names (Content-Disposition filename, Content-Type name) passes the test.</summary>
        public bool NamedAs(Func<string?, bool> test) => test(Name) || (OtherName is not null && test(OtherName));

        /// <summary>An attached message sent encoded: decoded, kept and read as a message at the part's end.</summary>
        public bool EncodedMessage { get; init; }

        /// <summary>A tar, not compressed: its members are typed like a tgz's.</summary>
        public bool IsTar { get; set; }

        /// <summary>A web page whose head held no script: the rest is searched as it is decoded.</summary>
        public MarkupScript? Markup { get; set; }

        public void Dispose() => Archive?.Dispose();
    }
}
