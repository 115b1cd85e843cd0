using System.Text;
using Gateway.Pipeline.Content;

namespace Gateway.Pipeline.Tests.Content;

public sealed class HeaderFieldCostTests
{
    private const string Head = "From: a@example.org\r\nTo: b@example.net\r\nSubject: s\r\nMIME-Version: 1.0\r\n";

    private static string Folded(string name, int lines) => name + ": x" + string.Concat(Enumerable.Range(0, lines).Select(i => $";\r\n p{i}=a")) + "\r\n";

    private static HeaderFieldCost Measure(string message) => HeaderFieldCost.Measure(Encoding.ASCII.GetBytes(message));

    [Fact]
    public void Ordinary_mail_costs_little_even_with_hundreds_of_visible_recipients()
    {
        var recipients = "To: " + string.Join(",\r\n ", Enumerable.Range(0, 2_000).Select(i => $"Person {i} <person{i}@example.net>")) + "\r\n";
        var message = "From: a@example.org\r\n" + recipients + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            + "--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n-- \r\nsignature\r\n"
            + "--b\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment;\r\n filename*0=\"a very long\";\r\n filename*1=\" name.pdf\"\r\n\r\nJVBERi0=\r\n--b--\r\n";

        var cost = Measure(message);

        Assert.False(cost.Exceeded);
        Assert.True(cost.Cost < HeaderFieldCost.Budget / 4, $"cost {cost.Cost}");
    }

    [Theory]
    [InlineData("top")]
    [InlineData("part")]
    [InlineData("attached-message")]
    public void A_field_of_tens_of_thousands_of_folded_lines_is_over_the_budget_wherever_a_parser_reads_fields(string where)
    {
        var field = Folded("X-Field", 20_000);
        var message = where switch
        {
            "top" => Head + field + "\r\nbody\r\n",
            "part" => Head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + field + "\r\nbody\r\n--b--\r\n",
            _ => Head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: MESSAGE/rfc822\r\n\r\nFrom: c@example.com\r\n" + field + "\r\ninner\r\n--b--\r\n",
        };

        Assert.True(Measure(message).Exceeded);
    }

    [Theory]
    [InlineData("Content-Type: message (forwarded)/rfc822\r\n")]
    [InlineData("Content-Type: message /rfc822\r\n")]
    [InlineData("Content-Type:\r\n message\r\n /rfc822\r\n")]
    [InlineData("Content-type : Message/Global\r\n")]
    public void An_attached_message_is_found_however_its_type_is_spelt(string contentType)
    {
        var message = Head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + contentType + "\r\nFrom: c@example.com\r\n"
            + Folded("X-Field", 20_000) + "\r\ninner\r\n--b--\r\n";

        Assert.True(Measure(message).Exceeded);
    }

    [Fact]
    public void A_digest_part_without_a_content_type_is_an_attached_message()
    {
        var message = Head + "Content-Type: multipart/digest; boundary=b\r\n\r\n--b\r\n\r\nFrom: c@example.com\r\n"
            + Folded("X-Field", 20_000) + "\r\ninner\r\n--b--\r\n";

        Assert.True(Measure(message).Exceeded);
    }

    [Fact]
    public void A_message_word_outside_a_content_type_does_not_make_the_body_a_header()
    {
        // Mailman's Archived-At names a /message/ URL: the body after it is text.
        var message = "From: a@example.org\r\nArchived-At: <https://lists.example.org/archives/list/x/message/ABC/>\r\n\r\n"
            + string.Concat(Enumerable.Range(0, 50_000).Select(i => $" line {i}\r\n"));

        Assert.False(Measure(message).Exceeded);
    }

    [Fact]
    public void Folded_looking_lines_in_a_body_cost_nothing()
    {
        var message = Head + "Content-Type: text/plain\r\n\r\nListing:\r\n" + string.Concat(Enumerable.Range(0, 50_000).Select(i => $" p{i}=a\r\n"));

        Assert.False(Measure(message).Exceeded);
    }

    [Fact]
    public void One_unfolded_line_of_megabytes_in_a_part_header_is_over_the_budget()
    {
        var message = Head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nX-Long: " + new string('a', 3 << 20) + "\r\n\r\nbody\r\n--b--\r\n";

        Assert.True(Measure(message).Exceeded);
    }

    [Fact]
    public void The_cost_does_not_depend_on_how_the_message_arrives_in_pieces()
    {
        var message = Encoding.ASCII.GetBytes(Head + "X-Long: " + new string('a', 3000) + "\r\n" + Folded("X-F", 300)
            + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + Folded("X-G", 500) + "\r\nbody\r\n--b--\r\n");
        var whole = HeaderFieldCost.Measure(message).Cost;

        foreach (var size in new[] { 1, 2, 7, 300, 4096 })
        {
            var pieces = new HeaderFieldCost();
            foreach (var chunk in message.Chunk(size))
            {
                pieces.Add(chunk);
            }

            pieces.Complete();
            Assert.Equal(whole, pieces.Cost);
        }

        Assert.True(whole > 0);
    }

    [Fact]
    public async Task A_stream_measures_as_the_octets_do()
    {
        var message = Encoding.ASCII.GetBytes(Head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + Folded("X-G", 20_000) + "\r\nbody\r\n--b--\r\n");

        var measured = await HeaderFieldCost.MeasureAsync(new MemoryStream(message), CancellationToken.None);

        Assert.True(measured.Exceeded);
        Assert.Equal(HeaderFieldCost.Measure(message).ExceededAtLine, measured.ExceededAtLine);
    }
}
