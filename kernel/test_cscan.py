# SPDX-License-Identifier: GPL-2.0-only
"""Unit tests of cscan.py on small C snippets written for them.

    python3 -m unittest discover -s kernel -p 'test_*.py'
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cscan  # noqa: E402


def definition(text, name):
    """The text of NAME's definition, and of its declaration part (up to the body)."""
    start, body, end = cscan.scan(text)[name]
    return text[start:end], text[start:body].rstrip()


class ScanTest(unittest.TestCase):
    def test_simple_definitions_and_their_extent(self):
        src = "static int one(void)\n{\n\treturn 1;\n}\n\nint two(int a) { return a + one(); }\n"
        self.assertEqual(sorted(cscan.scan(src)), ["one", "two"])
        self.assertEqual(definition(src, "one")[0], "static int one(void)\n{\n\treturn 1;\n}")
        self.assertEqual(definition(src, "two"),
                         ("int two(int a) { return a + one(); }", "int two(int a)"))

    def test_comment_with_braces(self):
        src = ("/* a comment { with braces } and one( */\n"
               "int f(void)\n{\n\t/* } closing brace in a comment */\n\treturn 0; // {\n}\n"
               "int g(void) { return 1; }\n")
        self.assertEqual(sorted(cscan.scan(src)), ["f", "g"])
        self.assertTrue(definition(src, "f")[0].endswith("// {\n}"))
        self.assertEqual(definition(src, "f")[1], "int f(void)")  # the comment is not part of it

    def test_string_with_comment_opener_and_braces(self):
        src = ('void p(void)\n{\n\tpr_info("/* not a comment {");\n\tq();\n}\n'
               'void q(void) { pr_info("}*/"); }\n')
        self.assertEqual(sorted(cscan.scan(src)), ["p", "q"])
        self.assertIn("q", cscan.names_used(definition(src, "p")[0]))

    def test_char_literal_brace(self):
        src = "int c(int x)\n{\n\tif (x == '{')\n\t\treturn '}';\n\treturn '\\'';\n}\nint d(void) { }\n"
        self.assertEqual(sorted(cscan.scan(src)), ["c", "d"])
        self.assertTrue(definition(src, "c")[0].endswith("return '\\'';\n}"))

    def test_escaped_quotes(self):
        src = 'const char *e(void)\n{\n\treturn "say \\"}\\" and \\\\";\n}\nint f(void) { return 0; }\n'
        self.assertEqual(sorted(cscan.scan(src)), ["e", "f"])
        self.assertEqual(definition(src, "f")[0], "int f(void) { return 0; }")

    def test_preprocessor_line_with_braces(self):
        src = "#define EMPTY_BODY { }\n#define OPEN {\nint f(void)\n{\n\treturn 0;\n}\n"
        self.assertEqual(list(cscan.scan(src)), ["f"])
        self.assertEqual(definition(src, "f")[0], "int f(void)\n{\n\treturn 0;\n}")

    def test_macro_continuation(self):
        src = ("#define DEFINE_GETTER(name) \\\n\tint name(void) \\\n\t{ \\\n\t\treturn 0; \\\n\t}\n"
               "DEFINE_GETTER(hidden)\n"
               "int after(void) { return 2; }\n")
        # The macro's body is no definition; its use looks like a declaration of a function
        # named after the macro, not a definition.
        self.assertEqual(list(cscan.scan(src)), ["after"])

    def test_preprocessor_lines_inside_a_body(self):
        src = ("int f(void)\n{\n#ifdef CONFIG_X\n#error can't { build\n#endif\n\treturn 0;\n}\n"
               "int g(void) { return 1; }\n")
        self.assertEqual(sorted(cscan.scan(src)), ["f", "g"])
        self.assertTrue(definition(src, "f")[0].endswith("return 0;\n}"))

    def test_nested_braces(self):
        src = ("int n(int a)\n{\n\tif (a) {\n\t\tdo {\n\t\t\ta--;\n\t\t} while (a);\n\t}\n"
               "\tstruct { int x; } s = { .x = 1 };\n\treturn s.x;\n}\nint m(void) { return 0; }\n")
        self.assertEqual(sorted(cscan.scan(src)), ["m", "n"])
        self.assertTrue(definition(src, "n")[0].endswith("return s.x;\n}"))

    def test_declaration_then_definition(self):
        src = "static int f(int a);\nint g(void) { return f(1); }\nstatic int f(int a)\n{\n\treturn a;\n}\n"
        text, decl = definition(src, "f")
        self.assertEqual(text, "static int f(int a)\n{\n\treturn a;\n}")
        self.assertEqual(decl, "static int f(int a)")

    def test_first_definition_wins(self):
        src = "#ifdef A\nint f(void) { return 1; }\n#else\nint f(void) { return 2; }\n#endif\n"
        self.assertEqual(definition(src, "f")[0], "int f(void) { return 1; }")

    def test_multi_line_signature(self):
        src = ("/* doc */\nstatic unsigned long\nlong_name(unsigned long addr,\n"
               "\t  unsigned long end, /* (unbalanced ) in a comment */\n\t  int flags)\n{\n"
               "\treturn addr;\n}\n")
        text, decl = definition(src, "long_name")
        self.assertTrue(text.startswith("static unsigned long\nlong_name("))
        self.assertTrue(decl.endswith("int flags)"))

    def test_k_and_r_definition_is_not_recognized(self):
        src = "int old(a, b)\n\tint a;\n\tint b;\n{\n\treturn a + b;\n}\nint new(void) { return 0; }\n"
        self.assertEqual(list(cscan.scan(src)), ["new"])

    def test_attributes(self):
        src = ("static __always_inline int a(void) { return 0; }\n"
               "void __init b(void) { }\n"
               "static void c(void) __attribute__((cold, noinline))\n{\n}\n"
               "static void d(spinlock_t *l) __acquires(l) __releases(l) /* why */\n{\n}\n"
               "int __attribute__((weak)) e(void) { return 1; }\n")
        self.assertEqual(sorted(cscan.scan(src)), ["a", "b", "c", "d", "e"])
        self.assertEqual(definition(src, "c")[1],
                         "static void c(void) __attribute__((cold, noinline))")
        self.assertEqual(definition(src, "a")[1], "static __always_inline int a(void)")

    def test_keywords_and_calls_at_top_level_are_not_definitions(self):
        src = ("EXPORT_SYMBOL(f);\nstatic DEFINE_SPINLOCK(lock);\n"
               "static int table[] = { sizeof(int), 2 };\nint f(void) { return table[0]; }\n")
        self.assertEqual(list(cscan.scan(src)), ["f"])
        self.assertEqual(definition(src, "f")[0], "int f(void) { return table[0]; }")


class HelpersTest(unittest.TestCase):
    def test_skip_comment_or_string(self):
        s = 'x /* a */ "b\\"c" \'d\' // e\nf'
        self.assertEqual(cscan.skip_comment_or_string(s, 2), 9)
        self.assertEqual(s[cscan.skip_comment_or_string(s, 10):], " 'd' // e\nf")
        self.assertEqual(s[cscan.skip_comment_or_string(s, 17):], " // e\nf")
        self.assertEqual(s[cscan.skip_comment_or_string(s, 21):], "\nf")
        self.assertIsNone(cscan.skip_comment_or_string(s, 0))

    def test_unterminated_literal_ends_at_its_line(self):
        s = "#error don't\nint f(void) { }\n"
        self.assertEqual(cscan.skip_comment_or_string(s, 10), 12)
        self.assertEqual(cscan.skip_comment_or_string("/* open", 0), 7)

    def test_skip_preprocessor(self):
        s = "#define X(a) \\\n\t((a) + \\\n\t 1)\nint y;\n"
        self.assertEqual(s[cscan.skip_preprocessor(s, 0):], "\nint y;\n")

    def test_match_paren_and_brace(self):
        s = 'f(a, ")", /* ) */ (b))'
        self.assertEqual(cscan.match_paren(s, 1), len(s) - 1)
        self.assertEqual(cscan.match_paren("f(a", 1), -1)
        s = "{ '}' \"}\" { } /* } */ }tail"
        self.assertEqual(s[cscan.match_brace(s, 0):], "tail")
        self.assertEqual(cscan.match_brace("{ {", 0), -1)

    def test_strip_comments(self):
        s = 'a /* b */ c // d\ne "f /* g" \'"\' h'
        self.assertEqual(cscan.strip_comments(s), 'a   c  \ne "" \'\' h')

    def test_names_used_skip_comments_and_literals(self):
        body = ('int f(void)\n{\n\t/* helper_in_comment(); */\n\t// other_in_comment();\n'
                '\tpr_warn("string_call() %d", \'"\');\n\tops.fn = by_pointer;\n'
                '\tpr_info("/* opens");\n\tbetween_strings();\n\tpr_info("closes */");\n'
                '\treturn real_call(1);\n}\n')
        used = cscan.names_used(body)
        self.assertTrue({"real_call", "by_pointer", "pr_warn", "between_strings"} <= used)
        self.assertFalse({"helper_in_comment", "other_in_comment", "string_call"} & used)


if __name__ == "__main__":
    unittest.main()
