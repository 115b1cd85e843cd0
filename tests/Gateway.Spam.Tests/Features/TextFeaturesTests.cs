using Gateway.Spam.Features;

namespace Gateway.Spam.Tests.Features;

public sealed class TextFeaturesTests
{
    [Fact]
    public void Words_are_folded_lower_cased_kept_as_written_when_that_differs_and_paired()
    {
        var sink = new TokenSink(keepNames: true);

        TextFeatures.Add("w:", "Save $1,999 NOW, today", sink);

        Assert.Equal(
            ["w:save", "w:c:Save", "w:$#,###", "w:2:save $#,###", "w:now", "w:c:NOW", "w:2:$#,### now", "w:today", "w:2:now today"],
            sink.Names);
        // Words of the text carry the word kind in their ids (FeatureKind), for the structure model to leave out.
        Assert.Equal(sink.Names.Select(name => FeatureKind.Word(FeatureHasher.Hash(name))), sink.Features.ToArray());
    }

    [Fact]
    public void A_short_word_a_link_or_a_long_run_breaks_the_pairs()
    {
        var sink = new TokenSink(keepNames: true);

        TextFeatures.Add("s:", "cheap at https://example.test/x pills and aaaaaaaaaaaaaaaaaaaaaaaaa more", sink);

        Assert.Equal(["s:cheap", "s:pills", "s:and", "s:2:pills and", "s:skip:a2", "s:more"], sink.Names);
    }

    [Fact]
    public void Punctuation_is_trimmed_from_both_ends_and_non_ascii_words_are_lower_cased_too()
    {
        var sink = new TokenSink(keepNames: true);

        TextFeatures.Add("w:", "\"(Hello)\" --- ÉTÉ... " + new string('x', 123), sink);

        Assert.Equal(["w:hello", "w:c:Hello", "w:été", "w:c:ÉTÉ", "w:2:hello été", "w:skip:x12"], sink.Names);
        // Words of the text carry the word kind in their ids (FeatureKind), for the structure model to leave out.
        Assert.Equal(sink.Names.Select(name => FeatureKind.Word(FeatureHasher.Hash(name))), sink.Features.ToArray());
    }
}
