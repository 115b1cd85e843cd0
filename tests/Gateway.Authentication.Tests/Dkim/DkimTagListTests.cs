using Gateway.Authentication.Dkim;

namespace Gateway.Authentication.Tests.Dkim;

public sealed class DkimTagListTests
{
    [Fact]
    public void Parses_tags_with_folding_whitespace_anywhere_it_is_allowed()
    {
        const string Plain = "v=1;a=rsa-sha256;h=from:to;b=abc def";
        Assert.True(DkimTagList.TryParse(Plain, 64, out var reference, out _));

        // Insert FWS at every position that the grammar allows it (around ';' and '=', and at both ends).
        for (var i = 0; i <= Plain.Length; i++)
        {
            var before = i == 0 ? ' ' : Plain[i - 1];
            var at = i == Plain.Length ? ' ' : Plain[i];
            if (!(i == 0 || i == Plain.Length || before is ';' or '=' || at is ';' or '='))
            {
                continue;
            }

            var folded = Plain[..i] + "\r\n\t " + Plain[i..];
            Assert.True(DkimTagList.TryParse(folded, 64, out var tags, out var error), folded + ": " + error);
            foreach (var name in new[] { "v", "a", "h", "b" })
            {
                Assert.Equal(reference!.Get(name), tags!.Get(name));
            }
        }
    }

    [Fact]
    public void Trailing_separator_is_allowed_and_inner_value_space_kept()
    {
        Assert.True(DkimTagList.TryParse("a=1; b=x  y ;", 64, out var tags, out _));
        Assert.Equal(2, tags!.Count);
        Assert.Equal("x  y", tags.Get("b"));
        Assert.Equal("a", tags.FirstTag);
        Assert.Equal("xy", DkimTagList.StripWhitespace("x \r\n\ty"));
    }

    [Theory]
    [InlineData("a=1; a=2", "duplicate tag a=")]
    [InlineData("a=1;;b=2", "empty tag-spec")]
    [InlineData(";", "empty tag-spec")]
    [InlineData("", "empty tag-list")]
    [InlineData("a", "malformed tag-spec (no '=')")]
    [InlineData("_a=1", "malformed tag name")]
    [InlineData("a b=1", "malformed tag-spec (no '=')")]
    [InlineData("a=\u0000", "invalid character in tag a=")]
    public void Malformed_tag_lists_are_refused(string text, string expected)
    {
        Assert.False(DkimTagList.TryParse(text, 64, out var tags, out var error));
        Assert.Null(tags);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Tag_names_are_case_sensitive()
    {
        Assert.True(DkimTagList.TryParse("a=1; A=2", 64, out var tags, out _));
        Assert.Equal("1", tags!.Get("a"));
        Assert.Equal("2", tags.Get("A"));
    }

    [Fact]
    public void Tag_count_is_bounded()
    {
        Assert.False(DkimTagList.TryParse("a=1; b=2; c=3", 2, out _, out var error));
        Assert.Equal("too many tags", error);
    }
}
