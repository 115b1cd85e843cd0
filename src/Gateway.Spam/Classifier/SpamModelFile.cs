using System.Text;

namespace Gateway.Spam.Classifier;

/// <summary>
/// The model's file: a magic and version, the message counts, then the features sorted by id with the id stored as
/// the difference from the previous one, all as 7-bit variable-length integers; then the logistic weights that are
/// not zero, by index difference and value, and the same for the structure model's (since version 2). A model of the public corpus takes a few megabytes; nothing in it can
/// be run, so a model file is data, not code.
/// </summary>
public static class SpamModelFile
{
    private static readonly byte[] Magic = "GWSPAM"u8.ToArray();

    /// <summary>Version 2 adds the structure model's weights after the logistic model's; a version 1 file has none.</summary>
    public const byte Version = 2;

    /// <summary>The format version in a model file's header, or null when the file does not start like a model.</summary>
    public static int? ReadVersion(string path)
    {
        using var stream = File.OpenRead(path);
        var header = new byte[Magic.Length + 1];
        return stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length && header.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            ? header[^1]
            : null;
    }

    public static void Save(SpamModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.ThrowIfFrozen();
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(Version);
        writer.Write7BitEncodedInt(model.HamMessages);
        writer.Write7BitEncodedInt(model.SpamMessages);
        writer.Write7BitEncodedInt(model.Counts.Count);
        var previous = 0u;
        foreach (var (feature, counts) in model.Counts.OrderBy(p => p.Key))
        {
            writer.Write7BitEncodedInt64(feature - previous);
            writer.Write7BitEncodedInt(counts.Ham);
            writer.Write7BitEncodedInt(counts.Spam);
            previous = feature;
        }

        WriteLogistic(writer, model.Logistic);
        WriteLogistic(writer, model.Structure);
    }

    private static void WriteLogistic(BinaryWriter writer, LogisticModel logistic)
    {
        writer.Write7BitEncodedInt(Math.Max(0, logistic.Updates));
        writer.Write(logistic.Bias);
        var weights = logistic.Weights;
        writer.Write7BitEncodedInt(weights.Count(w => w != 0));
        var last = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] != 0)
            {
                writer.Write7BitEncodedInt(i - last);
                writer.Write(weights[i]);
                last = i;
            }
        }
    }

    /// <summary>Reads a model; a file that is not one, or is cut short, throws <see cref="InvalidDataException"/>.</summary>
    public static SpamModel Load(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            var isModel = reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic);
            var version = isModel ? reader.ReadByte() : 0;
            if (version is not (1 or Version))
            {
                throw new InvalidDataException("not a spam model file (or a version this gateway cannot read)");
            }

            var model = new SpamModel { HamMessages = ReadCount(reader), SpamMessages = ReadCount(reader), FileVersion = version };
            var features = ReadCount(reader);
            var feature = 0u;
            for (var i = 0; i < features; i++)
            {
                var delta = reader.Read7BitEncodedInt64();
                if (delta is < 0 or > uint.MaxValue || (i > 0 && delta == 0))
                {
                    throw new InvalidDataException("spam model features are not in order");
                }

                feature += (uint)delta;
                model.Counts[feature] = new FeatureCounts(ReadCount(reader), ReadCount(reader));
            }

            model.Logistic = ReadLogistic(reader);
            if (version >= 2)
            {
                model.Structure = ReadLogistic(reader);
            }

            return model;
        }
        catch (Exception ex) when (ex is EndOfStreamException or FormatException)
        {
            throw new InvalidDataException("spam model file is truncated or corrupt", ex);
        }
    }

    public static void Save(SpamModel model, string path)
    {
        // Written beside the target and renamed over it, so the gateway never loads a half-written model.
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        {
            Save(model, stream);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public static SpamModel Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream);
    }

    private static LogisticModel ReadLogistic(BinaryReader reader)
    {
        var updates = ReadCount(reader);
        var bias = reader.ReadSingle();
        var weights = new float[1 << LogisticModel.Bits];
        var count = ReadCount(reader);
        var index = 0;
        for (var i = 0; i < count; i++)
        {
            var delta = ReadCount(reader);
            index += delta;
            if (index >= weights.Length || (i > 0 && delta == 0))
            {
                throw new InvalidDataException("spam model weights are out of range");
            }

            var weight = reader.ReadSingle();
            weights[index] = float.IsFinite(weight) ? weight : throw new InvalidDataException("spam model weight is not a number");
        }

        return new LogisticModel(weights, float.IsFinite(bias) ? bias : 0, updates);
    }

    private static int ReadCount(BinaryReader reader)
    {
        var value = reader.Read7BitEncodedInt();
        return value >= 0 ? value : throw new InvalidDataException("negative count in spam model file");
    }
}
