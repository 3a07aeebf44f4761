/** The base corpus's HTML reader keeps sentences whole: inline code stays, code blocks, navigation and fragments go. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proseOfHtml } from '../../src/tools/baseCorpus';

test('prose of a documentation page: paragraphs and list items, inline code kept, code blocks and navigation dropped', () => {
  const html = `<html><head><style>p { color: red }</style><script>var p = 1;</script></head><body>
    <div class="related"><ul><li><a href="index.html">Python 3.11 documentation</a> and the rest of the navigation links here</li></ul></div>
    <h1>4. More Control Flow Tools</h1>
    <p>Perhaps the most well-known statement type is the <code class="docutils">if</code> statement. For example:</p>
    <div class="highlight"><pre>&gt;&gt;&gt; x = int(input("Please enter an integer: "))
if x &lt; 0: print('Negative changed to zero')</pre></div>
    <ul><li><p>There can be zero or more <code>elif</code> parts, and the <code>else</code> part is optional.</p></li>
    <li>Too short to keep.</li></ul>
    <dl><dt>range(stop)</dt><dd><p>Returns an immutable   sequence
      type of numbers from zero up to <em>stop</em>.</p></dd></dl>
    <pre>SELECT * FROM weather WHERE city = 'San Francisco' AND prcp &gt; 0.0 AND temp_lo &lt; 50;</pre>
    <blockquote>Beautiful is better than ugly, explicit is better than implicit.</blockquote>
  </body></html>`;
  assert.deepEqual(proseOfHtml(html), [
    'Perhaps the most well-known statement type is the if statement. For example:',
    'There can be zero or more elif parts, and the else part is optional.',
    'Returns an immutable sequence type of numbers from zero up to stop.',
    'Beautiful is better than ugly, explicit is better than implicit.',
  ]);
});
