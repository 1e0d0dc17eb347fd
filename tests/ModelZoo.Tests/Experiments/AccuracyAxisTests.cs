using ModelZoo.Cli.Rendering;

namespace ModelZoo.Tests.Experiments;

/// <summary>The experiment accuracy plot's axis keeps differences honest and its caption says what is plotted.</summary>
public class AccuracyAxisTests
{
    [Test]
    public void BarsStartAtZeroSoTheirLengthsCompare()
    {
        // The seed's case: variants at 76-80 % drawn from 0.76 made a 4-point gap look like a factor of five.
        var (low, high) = ExperimentPlots.AccuracyAxis([0.76, 0.80, 0.79], bars: true);
        Assert.That(low, Is.EqualTo(0));
        Assert.That(high, Is.GreaterThanOrEqualTo(1));
        Assert.That(ExperimentPlots.AccuracyCaption(bars: true, low), Does.Contain("test accuracy after the last epoch").And.Contain("from 0 %"));
    }

    [TestCase(new[] { 0.76, 0.80, 0.95 }, 0.7)]
    [TestCase(new[] { 0.71, 0.9 }, 0.6)]
    [TestCase(new[] { 0.985, 0.99 }, 0.9)]
    [TestCase(new[] { 0.05, 0.5 }, 0.0)]
    public void LinesStartAtARoundTenthBelowTheLowestValueAndEndAt100Percent(double[] accuracies, double expectedLow)
    {
        var (low, high) = ExperimentPlots.AccuracyAxis(accuracies, bars: false);
        Assert.That(low, Is.EqualTo(expectedLow).Within(1e-12));
        Assert.That(high, Is.EqualTo(1));
        Assert.That(ExperimentPlots.AccuracyCaption(bars: false, low), Does.Contain($"from {expectedLow * 100:0} % to 100 %").And.Contain("test accuracy after each epoch"));
    }
}
